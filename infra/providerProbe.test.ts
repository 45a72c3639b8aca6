import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAKE_A1111_SAMPLERS,
  FAKE_CHECKPOINTS,
  FAKE_SAMPLERS,
  startFakeA1111,
  startFakeComfyUI,
  type FakeImageServer,
} from '../test/support/fakeImageServers';
import { startFakeVendors, type FakeVendors } from '../test/support/fakeVendors';
import { createGuardedFetch } from './guardedFetch';
import { PUBLIC_ONLY } from './netguard';
import { probeProvider } from './providerProbe';

let vendors: FakeVendors;
let comfy: FakeImageServer;
let a1111: FakeImageServer;
beforeAll(async () => {
  [vendors, comfy, a1111] = await Promise.all([
    startFakeVendors(),
    startFakeComfyUI(),
    startFakeA1111({ authorization: 'Basic dXNlcjpwYXNz' }),
  ]);
});
afterAll(() => Promise.all([vendors?.stop(), comfy?.stop(), a1111?.stop()]));

const trusted = { fetch, source: 'environment' as const };

describe('connection tests', () => {
  it('list the models of each cloud provider with its key, and tell a rejected key apart', async () => {
    const openai = await probeProvider('openai', { apiKey: 'sk-ok', baseUrl: `${vendors.baseUrl}/v1` }, trusted);
    expect(openai).toMatchObject({ ok: true, models: ['dall-e-3', 'gpt-4o-mini', 'tts-1'] });
    expect(vendors.requests.at(-1)!.headers.authorization).toBe('Bearer sk-ok');
    const eleven = await probeProvider('elevenlabs', { apiKey: 'el-ok', baseUrl: vendors.baseUrl }, trusted);
    expect(eleven).toMatchObject({ ok: true, models: ['eleven_multilingual_v2', 'eleven_flash_v2_5'] });
    expect(await probeProvider('stability', { apiKey: 'st-ok', baseUrl: vendors.baseUrl }, trusted)).toMatchObject({
      ok: true,
      detail: expect.stringContaining('42.5 credits'),
    });
    const bad = await probeProvider('openai', { apiKey: 'bad', baseUrl: `${vendors.baseUrl}/v1` }, trusted);
    expect(bad).toEqual({ ok: false, detail: expect.stringMatching(/rejected the key \(401\): paste a valid API key/) });
    const broken = await probeProvider('stability', { apiKey: 'broken', baseUrl: vendors.baseUrl }, trusted);
    expect(broken.detail).toMatch(/answered 500 .*The server had an error.*try again later/);
  });

  it("list an image server's checkpoints and samplers, and say how to start a server that has no API or wants a password", async () => {
    expect(await probeProvider('comfyui', { apiKey: '', baseUrl: comfy.baseUrl }, trusted)).toEqual({
      ok: true,
      detail: 'Connected to ComfyUI: 2 checkpoints, 3 samplers',
      models: FAKE_CHECKPOINTS,
      samplers: FAKE_SAMPLERS,
    });
    const a = await probeProvider('automatic1111', { apiKey: '', baseUrl: a1111.baseUrl, authorization: 'Basic dXNlcjpwYXNz' }, trusted);
    expect(a).toMatchObject({ ok: true, samplers: FAKE_A1111_SAMPLERS });
    expect(a.models![0]).toMatch(/^dreamshaper_8\.safetensors \[\w+\]$/);
    const noPassword = await probeProvider('automatic1111', { apiKey: '', baseUrl: a1111.baseUrl }, trusted);
    expect(noPassword.detail).toMatch(/refused the request \(401\): set the Authorization header/);
    const noApi = await probeProvider('automatic1111', { apiKey: '', baseUrl: comfy.baseUrl }, trusted);
    expect(noApi.detail).toMatch(/start the web UI with --api/);
  });

  it('say a server that is down should be started and listening, and refuse a private address a user gave', async () => {
    const gone = await startFakeComfyUI();
    await gone.stop();
    const down = await probeProvider('comfyui', { apiKey: '', baseUrl: gone.baseUrl }, trusted);
    expect(down).toEqual({
      ok: false,
      detail: expect.stringMatching(/^Could not reach ComfyUI at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\).*--listen/),
    });
    const guarded = createGuardedFetch(PUBLIC_ONLY);
    const blocked = await probeProvider('comfyui', { apiKey: '', baseUrl: comfy.baseUrl }, { fetch: guarded, source: 'user' });
    expect(blocked.ok).toBe(false);
    expect(blocked.detail).toMatch(/loopback .*PROVIDER_ALLOWED_HOSTS.*COMFYUI_BASE_URL/);
    expect(comfy.requests.filter((r) => r.startsWith('/object_info')).length).toBe(2); // only the trusted probe's two calls
  });
});
