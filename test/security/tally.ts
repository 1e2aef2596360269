/**
 * Counts the adversarial cases of a security test file: `count(held)` per case tried; the file
 * prints "security cases (<file>): N tried, M held" when it ends (`npm test` shows it).
 */
import { basename } from 'node:path';

let tried = 0;
let held = 0;
let registered = false;

export function count(ok: boolean): boolean {
  if (!registered) {
    registered = true;
    const file = basename(process.argv[1] ?? 'security');
    process.on('exit', () => console.log(`security cases (${file}): ${tried} tried, ${held} held`));
  }
  tried++;
  if (ok) held++;
  return ok;
}
