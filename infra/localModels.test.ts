import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultTextManifest, installedTextModels, installedVoices, modelFetchState, waitForModel } from './localModels';

let root: string;
const manifest = (name: string, body: object) => writeFileSync(join(root, 'infra', 'models', name), JSON.stringify(body));
const install = (file: string) => writeFileSync(join(root, '.cache', 'models', file), 'GGUF');

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'models-'));
  mkdirSync(join(root, 'infra', 'models'), { recursive: true });
  mkdirSync(join(root, '.cache', 'models'), { recursive: true });
  manifest('text.json', { name: 'Small', label: 'Small model', kind: 'text', file: 'small.gguf' });
  manifest('text-big.json', { name: 'Big', label: 'Big model', kind: 'text', file: 'big.gguf', fetch: 'background', default: true });
  manifest('voice-joe-onnx.json', { name: 'Joe', kind: 'voice', file: 'en_US-joe-medium.onnx' });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('local models', () => {
  it('lists installed packaged text models (the default labelled) and the GGUF files of the models folder', () => {
    install('small.gguf');
    const own = join(root, 'own');
    mkdirSync(own);
    writeFileSync(join(own, 'mine.gguf'), 'GGUF');
    writeFileSync(join(own, 'notes.txt'), '');
    expect(defaultTextManifest(root).file).toBe('big.gguf');
    expect(installedTextModels(root, own)).toEqual([
      { value: 'small.gguf', label: 'Small model' },
      { value: 'mine.gguf', label: 'mine.gguf (your models folder)' },
    ]);
    // One being fetched is listed with how far it is (a node that picks it waits for it).
    writeFileSync(join(root, '.cache', 'models', 'big.gguf.fetching'), JSON.stringify({ pid: process.pid, fraction: 0.42 }));
    expect(installedTextModels(root, own)[0]).toEqual({ value: 'big.gguf', label: 'Big model — default, fetching 42%' });
    rmSync(join(root, '.cache', 'models', 'big.gguf.fetching'));
    install('big.gguf');
    expect(installedTextModels(root, join(root, 'absent'))).toEqual([
      { value: 'big.gguf', label: 'Big model — default' },
      { value: 'small.gguf', label: 'Small model' },
    ]);
  });

  it('offers the Piper voice only when its model file is there; the Flite voices always', () => {
    expect(installedVoices(root).map((v) => v.value)).toEqual(['slt', 'rms', 'awb', 'kal']);
    install('en_US-joe-medium.onnx');
    expect(installedVoices(root).map((v) => v.value)).toEqual(['joe', 'slt', 'rms', 'awb', 'kal']);
  });

  it('tells fetching (a live process), failed and missing apart, and waits for a model being fetched', async () => {
    const status = join(root, '.cache', 'models', 'big.gguf.fetching');
    expect(modelFetchState(root, 'big.gguf')).toEqual({ state: 'missing' });
    writeFileSync(status, JSON.stringify({ pid: 2 ** 22 + 12345, fraction: 0.4 })); // no such process
    expect(modelFetchState(root, 'big.gguf')).toEqual({ state: 'missing' });
    writeFileSync(status, JSON.stringify({ pid: process.pid, fraction: 0.4 }));
    expect(modelFetchState(root, 'big.gguf')).toEqual({ state: 'fetching', fraction: 0.4 });

    const seen: number[] = [];
    const waiting = waitForModel(root, 'big.gguf', { signal: new AbortController().signal, pollMs: 10, onProgress: (f) => seen.push(f) });
    await new Promise((r) => setTimeout(r, 30));
    writeFileSync(status, JSON.stringify({ pid: process.pid, fraction: 0.9 }));
    await new Promise((r) => setTimeout(r, 30));
    install('big.gguf');
    await waiting;
    expect(seen[0]).toBe(0.4);
    expect(seen.at(-1)).toBe(0.9);

    rmSync(join(root, '.cache', 'models', 'big.gguf'));
    writeFileSync(status, JSON.stringify({ pid: process.pid, error: 'sha256 mismatch' }));
    await expect(waitForModel(root, 'big.gguf', { signal: new AbortController().signal, onProgress: () => {} })).rejects.toThrow(
      /fetching big.gguf failed: sha256 mismatch/,
    );
    rmSync(status);
    await expect(waitForModel(root, 'big.gguf', { signal: new AbortController().signal, onProgress: () => {} })).rejects.toThrow(
      /not installed: run `node infra\/setup.mjs --models all`/,
    );
  });

  it('stops waiting when the signal fires', async () => {
    writeFileSync(join(root, '.cache', 'models', 'big.gguf.fetching'), JSON.stringify({ pid: process.pid, fraction: 0.1 }));
    const ctl = new AbortController();
    const waiting = waitForModel(root, 'big.gguf', { signal: ctl.signal, pollMs: 10_000, onProgress: () => {} });
    ctl.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });
});
