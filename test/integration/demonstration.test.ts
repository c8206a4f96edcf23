import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The README's first command, `npm run demo`, as a newcomer runs it: the built demonstration
 * (`npm test` builds it before the tests), its own moto and LookupEvents fixture on free ports,
 * every scene, and nothing left running.
 */

const DEMO = join(import.meta.dirname, '..', '..', '.demo', 'run-demo.js');

function runDemo(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO], { env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('the demonstration', () => {
  it('runs every scene against the emulator, shows what the team receives, and leaves nothing running', async () => {
    expect(existsSync(DEMO), `${DEMO} is built by npm run build (npm test runs it first)`).toBe(true);
    const { code, output } = await runDemo();

    expect(output).not.toContain('The demonstration could not run');
    expect(code, output.slice(-2_000)).toBe(0);
    expect(output.match(/✉ Exposed key deleted: AKIA\w+ \((alice-dev|bob-ci)\) in 123456789012/g)).toHaveLength(2);
    expect(output).toContain('EXPOSED KEY DELETED');
    // The organisation scene: the hub contains a member account's key in that account, and says which.
    expect(output).toMatch(/Account \d{12} \(payments-prod\)\nExposed key deleted/);
    expect(output).toContain("carol-ops's keys in payments-prod now: no keys");
    expect(output).toContain('Nothing is left running.');
  }, 300_000);
});
