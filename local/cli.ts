// What the local commands (`npm start`, `npm run simulate`) share: how they end.

/** Says why on stderr and exits with `code` (1 failed, 2 bad input). */
export function fail(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Runs a command's main and exits with its code: a client left with an open handle must not keep a finished run alive. */
export function runMain(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => fail(1, `${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  );
}
