/**
 * `tidemark sim zeyos` from the build under plain node: prints one ready line with its base
 * URL and the demo credentials, serves, and exits 0 on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../packages/cli/bin/tidemark.js', import.meta.url));

describe('tidemark sim zeyos under plain node', () => {
  it('announces itself, answers, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'sim', 'zeyos', '--port', '0', '--seed', '7'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout });
    const [first] = (await once(lines, 'line')) as [string];
    const match = /^zeyos simulator ready (\{.*\})$/.exec(first);
    expect(match, first).not.toBeNull();
    const ready = JSON.parse(match?.[1] ?? '{}') as { baseUrl: string; credentials: unknown };
    expect(ready.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(ready.credentials)).toContain('demo');

    const unauthorized = await fetch(`${ready.baseUrl}/demo/api/v1/accounts/1`);
    expect(unauthorized.status).toBe(401);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
  });
});
