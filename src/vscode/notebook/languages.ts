/**
 * Fence words ↔ VS Code language ids. A fence says `bash`; VS Code knows that language as
 * `shellscript`. Cells get the VS Code id (highlighting, no "unknown language" warning) and are
 * written back with the word the author used, so the file does not change.
 */
const TO_VSCODE: Readonly<Record<string, string>> = {
  sh: 'shellscript', bash: 'shellscript', shell: 'shellscript', zsh: 'shellscript', console: 'shellscript',
  py: 'python', python3: 'python',
  yml: 'yaml',
  js: 'javascript', ts: 'typescript',
  confirm: 'manual',
  md: 'markdown',
  text: 'plaintext', txt: 'plaintext',
};

/** For cells the user adds: the fence word to write for a VS Code language id. */
const TO_WORD: Readonly<Record<string, string>> = {
  shellscript: 'shell',
  plaintext: 'text',
};

export function toVsCodeLanguage(word: string): string {
  const w = word.toLowerCase();
  return TO_VSCODE[w] ?? w;
}

/** The fence word for a cell: the author's word when the language is unchanged, else a canonical one. */
export function toFenceWord(languageId: string, originalWord: string | undefined): string {
  if (originalWord !== undefined && toVsCodeLanguage(originalWord) === languageId) return originalWord;
  return TO_WORD[languageId] ?? languageId;
}
