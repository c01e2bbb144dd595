/** An operation or plan the compiled executor does not run: Apollo's executor serves it instead. */
export class UnsupportedOperation extends Error {
  constructor(what: string) {
    super(`not run by the compiled executor: ${what}`);
    this.name = 'UnsupportedOperation';
  }
}
