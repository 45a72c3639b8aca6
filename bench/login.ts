/**
 * Login timing for a wrong password on an existing account against an unknown email (they must look the same, so
 * the answer time names no accounts), plus argon2id's hash time here. Prints medians; asserts nothing.
 *
 *   npx tsx bench/login.ts [attempts=20]
 */
import { hashPassword } from '../api/auth';
import { apiClient, registerUser, startStack } from '../test/support/stack';

const attempts = Number(process.argv[2] ?? 20);
const stack = await startStack({ backends: 'embedded', worker: false });
try {
  const { email } = await registerUser(stack.baseUrl);
  const anon = apiClient(stack.baseUrl);
  const timed = async (body: unknown) => {
    const t0 = performance.now();
    const res = await anon.post('/api/auth/login', body);
    if (res.status !== 401) throw new Error(`expected 401, got ${res.status}`);
    return performance.now() - t0;
  };
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < attempts; i++) {
    known.push(await timed({ email, password: 'wrong password here' }));
    unknown.push(await timed({ email: `nobody-${i}@example.com`, password: 'wrong password here' }));
  }
  const hashes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await hashPassword('correct horse battery');
    hashes.push(performance.now() - t0);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`login, wrong password, existing account: median ${median(known).toFixed(1)} ms over ${attempts}`);
  console.log(`login, unknown email:                    median ${median(unknown).toFixed(1)} ms over ${attempts}`);
  console.log(`argon2id hash: median ${median(hashes).toFixed(1)} ms`);
} finally {
  await stack.stop();
}
