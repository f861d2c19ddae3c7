import { describe, expect, it } from 'vitest';
import { parseJsonStep } from '../../engine/steps/parse-json.js';
import { parseYamlStep } from '../../engine/steps/parse-yaml.js';
import { validateSchemaStep } from '../../engine/steps/validate-schema.js';
import { createTestContext } from './context.js';

// Data steps never touch the file system; the workspace only has to be a string.
const { context } = createTestContext('.');

describe('parse_json', () => {
  it('parses JSON text', async () => {
    expect(await parseJsonStep.execute({ content: '{"a":[1,2,{"b":null}]}' }, context)).toEqual({ parsed: { a: [1, 2, { b: null }] }, valid: true });
    expect(await parseJsonStep.execute({ content: '"just a string"' }, context)).toEqual({ parsed: 'just a string', valid: true });
  });

  it('fails with MISSION_ERR_PARSE on invalid JSON', async () => {
    await expect(parseJsonStep.execute({ content: '{"a": }' }, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_PARSE',
      message: expect.stringContaining('parse_json: content is not valid JSON'),
    });
  });

  it('keeps the message short when the input is huge', async () => {
    const error = await parseJsonStep.execute({ content: `{${'x'.repeat(100_000)}` }, context).catch((caught: Error) => caught);
    expect((error as Error).message.length).toBeLessThan(300);
  });

  it('requires content', async () => {
    await expect(parseJsonStep.execute({} as never, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PARAMETERS' });
  });
});

describe('parse_yaml', () => {
  it('parses YAML text', async () => {
    const content = 'name: demo\nsteps:\n  - id: a\n    n: 3\n  - id: b\nflag: yes\n';
    expect(await parseYamlStep.execute({ content }, context)).toEqual({
      parsed: { name: 'demo', steps: [{ id: 'a', n: 3 }, { id: 'b' }], flag: 'yes' },
      valid: true,
    });
  });

  it('reports the line and column of a syntax error', async () => {
    await expect(parseYamlStep.execute({ content: 'a: 1\nb: [1, 2\nc: 3\n' }, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_PARSE',
      message: expect.stringMatching(/not valid YAML at line \d+, column \d+/),
    });
  });

  it('rejects duplicate keys, which would silently drop data', async () => {
    await expect(parseYamlStep.execute({ content: 'a: 1\na: 2\n' }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PARSE' });
  });

  it('refuses alias bombs instead of exhausting memory', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 9; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`);
    }
    await expect(parseYamlStep.execute({ content: lines.join('\n') }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PARSE' });
  });
});

const personSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    age: { type: 'integer', minimum: 0 },
    email: { type: 'string', format: 'email' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['name', 'age'],
  additionalProperties: false,
};

describe('validate_schema', () => {
  it('accepts matching data given as JSON text or as a value, with the schema as text or object', async () => {
    const expected = { valid: true, errors: [], validated: 'json_schema' };
    expect(await validateSchemaStep.execute({ data: '{"name":"Ada","age":36}', schema: personSchema }, context)).toEqual(expected);
    expect(await validateSchemaStep.execute({ data: { name: 'Ada', age: 36, email: 'ada@example.com' }, schema: JSON.stringify(personSchema) }, context)).toEqual(expected);
  });

  it('fails with MISSION_ERR_SCHEMA_MISMATCH listing every violation, with the output attached', async () => {
    const error = await validateSchemaStep
      .execute({ data: { age: -1, email: 'not-an-email', tags: ['ok', 7], extra: true }, schema: personSchema }, context)
      .catch((caught: Error & { output?: unknown }) => caught);
    expect(error).toMatchObject({ code: 'MISSION_ERR_SCHEMA_MISMATCH' });
    const output = (error as { output: { valid: boolean; errors: { path: string; message: string }[] } }).output;
    expect(output.valid).toBe(false);
    const paths = output.errors.map((violation) => violation.path).sort();
    expect(paths).toEqual(['', '', '/age', '/email', '/tags/1'].sort());
    expect(output.errors).toContainEqual({ path: '', message: "must have required property 'name'" });
    expect(output.errors).toContainEqual({ path: '/email', message: 'must match format "email"' });
    expect((error as Error).message).toContain('(5 errors)');
    expect((error as Error).message).toContain('/tags/1 must be string');
  });

  it('checks formats from ajv-formats', async () => {
    const schema = { type: 'string', format: 'date-time' };
    await expect(validateSchemaStep.execute({ data: '"2024-01-02T03:04:05Z"', schema }, context)).resolves.toMatchObject({ valid: true });
    await expect(validateSchemaStep.execute({ data: '"yesterday"', schema }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_SCHEMA_MISMATCH' });
  });

  it('understands draft-07 tuple items when the schema says so', async () => {
    const schema = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'array', items: [{ type: 'number' }, { type: 'string' }] };
    await expect(validateSchemaStep.execute({ data: [1, 'a'], schema }, context)).resolves.toMatchObject({ valid: true });
    await expect(validateSchemaStep.execute({ data: ['a', 1], schema }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_SCHEMA_MISMATCH' });
  });

  it('compiles schemas with the same $id twice (fresh validator per run)', async () => {
    const schema = { $id: 'https://example.com/thing', type: 'number' };
    await validateSchemaStep.execute({ data: 1, schema }, context);
    await expect(validateSchemaStep.execute({ data: 2, schema }, context)).resolves.toMatchObject({ valid: true });
  });

  it('fails clearly on an invalid schema', async () => {
    await expect(validateSchemaStep.execute({ data: 1, schema: { type: 'strnig' } }, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_PARAMETERS',
      message: expect.stringContaining('the schema is not a valid JSON Schema'),
    });
    await expect(validateSchemaStep.execute({ data: 1, schema: '{not json' }, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_PARSE',
      message: expect.stringContaining('schema is not valid JSON'),
    });
    await expect(validateSchemaStep.execute({ data: 1, schema: { $ref: '#/definitions/missing' } }, context)).rejects.toMatchObject({ code: 'MISSION_ERR_PARAMETERS' });
  });

  it('fails with MISSION_ERR_PARSE when data text is not JSON', async () => {
    await expect(validateSchemaStep.execute({ data: '{broken', schema: {} }, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_PARSE',
      message: expect.stringContaining('data is not valid JSON'),
    });
  });

  it('requires data and schema', async () => {
    await expect(validateSchemaStep.execute({ data: 1 } as never, context)).rejects.toMatchObject({
      code: 'MISSION_ERR_PARAMETERS',
      message: expect.stringContaining('"schema"'),
    });
  });
});
