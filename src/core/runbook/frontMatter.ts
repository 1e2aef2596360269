/**
 * YAML front matter: the runbook's title and its inputs. Invalid YAML or an invalid schema is
 * reported in one line (`front matter: inputs.0.name: expected string`); the runbook still opens
 * and the front matter's bytes are kept as written.
 */
import { parse as parseYaml } from 'yaml';
// zod/mini: the same validation core with functions instead of methods, so the bundle that opens a
// notebook carries only the schema parts used here. Every issue has its own message (mini loads
// no locale for default messages).
import * as z from 'zod/mini';
import type { FrontMatter, RunbookInput } from './model';

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

const inputSchema = z
  .object(
    {
      name: z.string({ error: 'expected string' }).check(z.regex(identifier, 'expected an identifier (letters, digits, "_")')),
      description: z.optional(z.string({ error: 'expected string' })),
      type: z._default(z.enum(['string', 'number', 'boolean', 'enum', 'path', 'url'], { error: 'expected one of string, number, boolean, enum, path, url' }), 'string'),
      default: z.optional(z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' })),
      options: z.optional(z.array(z.pipe(z.union([z.string(), z.number()], { error: 'expected a string or number' }), z.transform(String)), { error: 'expected a list of strings' })),
      secret: z._default(z.boolean({ error: 'expected true or false' }), false),
      required: z.optional(z.boolean({ error: 'expected true or false' })),
      env: z.optional(z.string({ error: 'expected string' }).check(z.regex(identifier, 'expected an environment variable name'))),
    },
    { error: 'expected an input (a mapping with name: …)' },
  )
  .check(
    z.superRefine((input, ctx) => {
      if (input.secret && input.default !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['default'], message: 'a secret input cannot have a default in the file (secrets are never written to the runbook)' });
      }
      if (input.type === 'enum' && !(input.options && input.options.length)) {
        ctx.addIssue({ code: 'custom', path: ['options'], message: 'an enum input needs a list of options' });
      }
    }),
  );

const frontMatterSchema = z
  .looseObject({
    title: z.optional(z.string({ error: 'expected string' })),
    inputs: z.optional(z.array(inputSchema, { error: 'expected a list of inputs' })),
  })
  .check(
    z.superRefine((fm, ctx) => {
      const seen = new Set<string>();
      fm.inputs?.forEach((input, i) => {
        if (seen.has(input.name)) ctx.addIssue({ code: 'custom', path: ['inputs', i, 'name'], message: `duplicate input "${input.name}"` });
        seen.add(input.name);
      });
    }),
  );

/** Parses the YAML between the `---` lines (LF line ends). Never throws. */
export function parseFrontMatter(yaml: string): FrontMatter {
  let data: unknown;
  try {
    // logLevel 'error': warnings about YAML we can read (e.g. a Hugo archetype's `{{ .Date }}`,
    // a flow map used as a key) must not reach the console or process warnings.
    data = parseYaml(yaml, { prettyErrors: false, logLevel: 'error' }) ?? {};
  } catch (err) {
    const msg = ((err as Error).message ?? String(err)).split('\n')[0].trim();
    return { raw: yaml, inputs: [], error: `front matter: invalid YAML: ${msg}` };
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    return { raw: yaml, inputs: [], error: 'front matter: expected key: value pairs (a YAML mapping)' };
  }
  const result = frontMatterSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') + ': ' : '';
    return { raw: yaml, data: data as Record<string, unknown>, inputs: [], error: `front matter: ${where}${issue.message}` };
  }
  const inputs: RunbookInput[] = (result.data.inputs ?? []).map((i) => ({
    name: i.name,
    ...(i.description !== undefined ? { description: i.description } : {}),
    type: i.type,
    ...(i.default !== undefined ? { default: i.default } : {}),
    ...(i.options ? { options: i.options } : {}),
    secret: i.secret,
    required: i.required ?? i.default === undefined,
    ...(i.env !== undefined ? { env: i.env } : {}),
  }));
  return {
    raw: yaml,
    data: data as Record<string, unknown>,
    ...(result.data.title !== undefined ? { title: result.data.title } : {}),
    inputs,
  };
}
