/** A scripted InputUi (the extension API's setInputUi): answers questions and records them. */
import type { RunbookInput } from '../../../src/core/runbook/model';
import type { AskOptions, InputUi, SendQuestion } from '../../../src/vscode/inputs/inputUi';

export interface ScriptedInputUi extends InputUi {
  /** Every send-approval question shown, in order. */
  readonly questions: SendQuestion[];
  /** Every input asked for, with the options it was asked with. */
  readonly prompts: { name: string; options: AskOptions }[];
  /** Every "where may this secret go" question, with the suggested origins. */
  readonly originQuestions: { name: string; suggested: readonly string[] }[];
  /** Answer for later approval questions. */
  approve: boolean;
}

export function scriptedInputUi(opts: { approve: boolean; answers?: Record<string, string>; revoke?: readonly string[] }): ScriptedInputUi {
  const ui: ScriptedInputUi = {
    questions: [],
    prompts: [],
    originQuestions: [],
    approve: opts.approve,
    async askInput(input: RunbookInput, options: AskOptions = {}) {
      ui.prompts.push({ name: input.name, options });
      return opts.answers?.[input.name];
    },
    async approveSend(question: SendQuestion) {
      ui.questions.push(question);
      return ui.approve;
    },
    async pickOriginsToRevoke() {
      return opts.revoke;
    },
    async askOrigins(input: RunbookInput, suggested: readonly string[]) {
      ui.originQuestions.push({ name: input.name, suggested });
      return suggested.join(' ');
    },
  };
  return ui;
}
