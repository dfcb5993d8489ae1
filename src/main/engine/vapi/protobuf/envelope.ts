/**
 * The frame around every Kubernetes protobuf object (apimachinery
 * runtime/serializer/protobuf): the 4-byte magic `k8s\0`, then a
 * runtime.Unknown message:
 *
 *   1 typeMeta        { 1 apiVersion, 2 kind }
 *   2 raw             the object's own message
 *   3 contentEncoding always "" from Go, ignored on input
 *   4 contentType     always "" from Go, ignored on input
 */
export const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export const UnknownField = { TypeMeta: 1, Raw: 2, ContentEncoding: 3, ContentType: 4 } as const;
export const TypeMetaField = { APIVersion: 1, Kind: 2 } as const;

export function hasMagic(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x6b && b[1] === 0x38 && b[2] === 0x73 && b[3] === 0x00;
}

/**
 * Nesting bound for decode and encode. Go has none, but recursion on hostile
 * input must stop somewhere; 100 leaves room for the deepest real objects
 * (CRD schemas nest JSONSchemaProps through maps, two messages per level).
 */
export const MAX_DEPTH = 100;
