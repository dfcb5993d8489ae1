/**
 * `/v1/schemaDefinitions/<id>`: a type's fields for the dashboard's forms,
 * from the cluster's OpenAPI v2 document, in Steve's shape: the type's model
 * name and every model it reaches, each with its fields
 * (`{type, subtype?, description?, required?}`; integers and numbers are
 * `int`, lists `array` and maps `map` with the item type as subtype, other
 * models by name). The OpenAPI document is the main apiserver's, passed
 * through, so it is fetched once for all clusters and refreshed hourly.
 */
import type { ClusterKube } from './cluster-kube';
import type { SteveSchema } from './schema-catalog';
import { SteveError } from './steve-errors';

interface OpenApiSchema {
  type?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
  $ref?: string;
  allOf?: OpenApiSchema[];
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}
interface Field {
  type: string;
  subtype?: string;
  description?: string;
  required?: boolean;
}
interface Definition {
  resourceFields: Record<string, Field>;
  type: string;
  description: string;
}

const REFRESH_MS = 3_600_000;

export class SchemaDefinitions {
  private doc: Promise<Record<string, OpenApiSchema>> | undefined;
  private fetchedAt = 0;

  async render(kube: ClusterKube, schema: SteveSchema, base: string): Promise<Record<string, unknown>> {
    if (schema.steveOwn) throw new SteveError(404, 'NotFound', 'no such schema');
    const models = await this.models(kube);
    const modelName = Object.keys(models).find((name) =>
      models[name]!['x-kubernetes-group-version-kind']?.some(
        (g) => g.group === schema.group && g.version === schema.version && g.kind === schema.kind,
      ),
    );
    if (!modelName) throw new SteveError(503, 'ServiceUnavailable', `no OpenAPI model for ${schema.id} yet`);
    const definitions: Record<string, Definition> = {};
    visitModel(models, modelName, definitions);
    return {
      id: schema.id,
      type: 'schemaDefinition',
      links: { self: `${base}/v1/schemaDefinitions/${schema.id}` },
      definitionType: modelName,
      definitions,
    };
  }

  private models(kube: ClusterKube): Promise<Record<string, OpenApiSchema>> {
    if (!this.doc || Date.now() - this.fetchedAt > REFRESH_MS) {
      this.fetchedAt = Date.now();
      const next = kube
        .request<{ definitions?: Record<string, OpenApiSchema> }>('GET', '/openapi/v2')
        .then((a) => {
          if (a.status !== 200 || !a.body.definitions) throw new Error(`/openapi/v2 answered ${a.status}`);
          return a.body.definitions;
        });
      next.catch(() => {
        if (this.doc === next) this.doc = undefined;
      });
      this.doc = next;
    }
    return this.doc;
  }
}

function refName(ref: string): string {
  return ref.replace(/^#\/definitions\//, '');
}

/**
 * A model with fields of its own is a definition. One without (a string such
 * as Quantity or Time, or a free-form object such as FieldsV1 or
 * RawExtension) is read as kube-openapi reads it: a primitive, or "string".
 */
function isKind(model: OpenApiSchema | undefined): boolean {
  return !!model && Object.keys(model.properties ?? {}).length > 0;
}

function visitModel(
  models: Record<string, OpenApiSchema>,
  name: string,
  into: Record<string, Definition>,
): void {
  if (into[name]) return;
  const model = models[name] ?? {};
  const definition: Definition = { resourceFields: {}, type: name, description: model.description ?? '' };
  into[name] = definition; // placed first: models that refer back to themselves stop here
  const required = new Set(model.required ?? []);
  for (const [field, prop] of Object.entries(model.properties ?? {})) {
    const f = fieldOf(models, prop, into);
    if (required.has(field)) f.required = true;
    definition.resourceFields[field] = f;
  }
}

function fieldOf(
  models: Record<string, OpenApiSchema>,
  prop: OpenApiSchema,
  into: Record<string, Definition>,
): Field {
  const withDescription = (f: Field): Field =>
    prop.description ? { ...f, description: prop.description } : f;
  const ref = prop.$ref ?? prop.allOf?.find((s) => s.$ref)?.$ref;
  if (ref) {
    const name = refName(ref);
    const model = models[name];
    if (isKind(model)) {
      visitModel(models, name, into);
      return withDescription({ type: name });
    }
    const { description: _ignored, ...inner } = fieldOf(models, model ?? {}, into);
    return withDescription(inner);
  }
  if (prop.type === 'array') {
    const sub = fieldOf(models, prop.items ?? {}, into);
    return withDescription({ type: 'array', subtype: sub.type });
  }
  if (prop.type === 'object' && prop.additionalProperties && typeof prop.additionalProperties === 'object') {
    const sub = fieldOf(models, prop.additionalProperties, into);
    return withDescription({ type: 'map', subtype: sub.type });
  }
  if (prop.type === 'integer' || prop.type === 'number') return withDescription({ type: 'int' });
  return withDescription({ type: prop.type && prop.type !== 'object' ? prop.type : 'string' });
}
