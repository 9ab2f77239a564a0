/**
 * COPY … FROM STDIN for `pg` without an extra dependency: a "submittable" query (the hook pg-copy-streams uses)
 * that sends a file as CopyData messages, waiting for the socket to drain, then CopyDone.
 */

import { once } from "node:events";
import { createReadStream } from "node:fs";
import type pg from "pg";

interface CopyConnection {
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

class CopyFromFile {
  private rows = 0;
  private failure: Error | undefined;
  readonly done: Promise<number>;
  private settle!: { resolve: (rows: number) => void; reject: (error: Error) => void };

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  submit(connection: unknown): void {
    (connection as CopyConnection).query(this.text);
  }

  async handleCopyInResponse(connection: CopyConnection): Promise<void> {
    try {
      for await (const chunk of createReadStream(this.file, { highWaterMark: 1 << 20 })) {
        if (this.failure) return;
        connection.sendCopyFromChunk(chunk as Buffer);
        if (connection.stream.writableNeedDrain) await once(connection.stream, "drain");
      }
      connection.endCopyFrom();
    } catch (error) {
      connection.sendCopyFail(error instanceof Error ? error.message : String(error));
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    this.rows = Number(message.text?.split(" ")[1] ?? 0);
  }

  handleError(error: Error): void {
    this.failure = error;
  }

  handleReadyForQuery(): void {
    if (this.failure) this.settle.reject(this.failure);
    else this.settle.resolve(this.rows);
  }

  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCopyData(): void {}
}

/** Sends `file` (COPY text format) to `copy <target> from stdin`; resolves with the number of rows copied. */
export function copyFile(client: pg.Client, target: string, file: string): Promise<number> {
  const copy = new CopyFromFile(`copy ${target} from stdin`, file);
  client.query(copy);
  return copy.done;
}
