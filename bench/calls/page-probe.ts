/**
 * The probe of bench/calls/embedded-commit.ts, in its own process: on « start », asks for the page
 * (its first argument) every 20 ms; on « stop », sends back how long each request took (ms), waiting
 * included. Says it is ready once, at the start.
 */
const url = process.argv[2] ?? "";
let waits: number[] = [];
let running: Promise<void> | undefined;
let go = false;

async function loop() {
  while (go) {
    const t = performance.now();
    const response = await fetch(url);
    await response.text();
    waits.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
}

process.on("message", async (command: string) => {
  if (command === "start") {
    waits = [];
    go = true;
    running = loop();
    process.send?.("started");
  } else if (command === "stop") {
    go = false;
    await running;
    process.send?.(waits);
  }
});
process.send?.("ready");
