/**
 * `manual`: an operator-confirmed step. The body says what to do or verify (with `{{input}}`
 * values filled in); running it asks the operator to confirm. Used for steps the docs leave
 * unstated or that no API can prove (flipping a feature flag, posting in the incident channel).
 */
import { oneLine } from '../../text';
import * as z from 'zod';
import { substitute } from '../template';
import type { CheckKind } from '../types';

const attributes = z.object({
  /** The question asked; defaults to "Done?". */
  question: z.string().optional(),
});

export const manualKind: CheckKind<z.infer<typeof attributes>> = {
  name: 'manual',
  aliases: ['confirm'],
  description: 'An operator-confirmed step: the body says what to do; running it asks for confirmation.',
  attributes,
  defaultTimeoutMs: 24 * 60 * 60 * 1000,
  async run(inv, ctx) {
    const text = substitute(inv.body, ctx.inputs).trim();
    const question = inv.attributes.question ?? (inv.label ? `${inv.label} — done?` : 'Done?');
    const answer = await ctx.ui.confirm(question, text);
    switch (answer) {
      case 'yes':
        return { verdict: 'pass', reason: 'confirmed by the operator', data: { confirmedBy: 'operator' } };
      case 'no':
        return { verdict: 'fail', reason: 'the operator answered no', next: text ? oneLine(text) : 'resolve the step, then run it again' };
      case 'skip':
        return { verdict: 'skipped', reason: 'skipped by the operator' };
      default:
        return { verdict: 'skipped', reason: 'no answer: the confirmation was dismissed', next: 'run the step again to confirm it' };
    }
  },
};

