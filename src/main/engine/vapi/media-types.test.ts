import { describe, expect, it } from 'vitest';
import { acceptsJson, bodyFormat, preferredAnswer, unsupportedBodyMessage } from './media-types';

describe('media types of a simulated cluster API', () => {
  it('reads the body types a real apiserver reads, and no others', () => {
    expect(bodyFormat(undefined)).toBe('json');
    expect(bodyFormat('application/json; charset=utf-8')).toBe('json');
    expect(bodyFormat('application/strategic-merge-patch+json')).toBe('json');
    expect(bodyFormat('application/merge-patch+json')).toBe('json');
    expect(bodyFormat('application/json-patch+json')).toBe('json-patch');
    expect(bodyFormat('application/apply-patch+yaml')).toBe('yaml');
    expect(bodyFormat('application/yaml')).toBe('yaml');
    expect(bodyFormat('application/vnd.kubernetes.protobuf')).toBe('protobuf');
    expect(bodyFormat('text/plain')).toBeUndefined();
    expect(bodyFormat('application/xml')).toBeUndefined();
    expect(unsupportedBodyMessage()).toMatch(
      /^the body of the request was in an unknown format - accepted media types include: application\/json, /,
    );
  });

  it("answers protobuf to client-go's typed clients and JSON to everyone else", () => {
    expect(preferredAnswer('application/vnd.kubernetes.protobuf, application/json')).toBe('protobuf');
    expect(preferredAnswer('application/vnd.kubernetes.protobuf')).toBe('protobuf');
    expect(preferredAnswer('application/json, application/vnd.kubernetes.protobuf')).toBe('json');
    expect(preferredAnswer(undefined)).toBe('json');
    expect(preferredAnswer('*/*')).toBe('json');
    // kubectl's tables are JSON even when protobuf is offered first.
    expect(
      preferredAnswer('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json'),
    ).toBe('json');
    // q-values rank before order.
    expect(preferredAnswer('application/vnd.kubernetes.protobuf;q=0.5, application/json')).toBe('json');
  });

  it('knows whether a client takes JSON at all', () => {
    expect(acceptsJson('application/vnd.kubernetes.protobuf')).toBe(false);
    expect(acceptsJson('application/vnd.kubernetes.protobuf, */*')).toBe(true);
    expect(acceptsJson('application/json;as=Table;v=v1;g=meta.k8s.io')).toBe(true);
    expect(acceptsJson('application/json;q=0')).toBe(false);
    expect(acceptsJson(undefined)).toBe(true);
  });
});
