/** An engine error as the UI sees it: the code decides how a screen reacts, the message is shown. */
export class EngineCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EngineCallError';
  }
}
