/**
 * The one error the protobuf codec throws. Its message is user-facing: the
 * virtual API puts it in the 400 Status it answers a malformed body with.
 */
export class ProtobufBodyError extends Error {
  constructor(message: string) {
    super(`protobuf body: ${message}`);
    this.name = 'ProtobufBodyError';
  }
}
