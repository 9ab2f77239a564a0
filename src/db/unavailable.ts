/**
 * Whether an error says the database cannot be reached (stopped, restarting, too slow to connect,
 * connection cut), as opposed to a fault of the statement itself. Such an error is the database's
 * outage, answered 503 « Service momentanément indisponible », never a 500 as if it were a bug.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting or stopping);
    // 57014 query_canceled (the statement timeout of a server that no longer answers in time);
    // class 08: connection exceptions.
    if (code === "57014" || code === "57P01" || code === "57P02" || code === "57P03" || /^08[0-9A-Z]{3}$/.test(code)) return true;
    // From Node's sockets.
    if (["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"].includes(code)) {
      return true;
    }
  }
  if (typeof message === "string") {
    // pg's own wording when a connection ends under a query, cannot be opened in time, or is closed.
    if (
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|Connection terminated unexpectedly/.test(
        message,
      )
    ) {
      return true;
    }
  }
  // An aggregate (a connection attempt to several addresses) or a wrapped cause.
  const { errors, cause } = error as { errors?: unknown; cause?: unknown };
  if (Array.isArray(errors) && errors.some(isDatabaseUnavailable)) return true;
  return cause !== undefined && cause !== error && isDatabaseUnavailable(cause);
}
