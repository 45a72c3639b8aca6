import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { ProviderTestBody } from '../../../api/contract';
import { api, type ProviderTestResult } from './api';

/** Tries a provider's saved settings (POST /settings/providers/:provider/test). */
export function testProvider(provider: string): Promise<ProviderTestResult> {
  const body: z.input<typeof ProviderTestBody> = {};
  return api<ProviderTestResult>('POST', `/settings/providers/${provider}/test`, body);
}

/** What each server offered when last asked, for the page's life: the editor's pickers ask once per provider. */
const offers = new Map<string, Promise<ProviderTestResult>>();

/** Forgets what a provider offered (its settings changed), so the next picker asks again. */
export function forgetOffer(provider: string): void {
  offers.delete(provider);
}

export type Offer = { state: 'loading' } | { state: 'ready'; result: ProviderTestResult } | { state: 'failed'; detail: string };

/** The models and samplers an image server offers, for a node's pickers; null provider: nothing to ask. */
export function useProviderOffer(provider: string | null): Offer | null {
  const [offer, setOffer] = useState<Offer | null>(provider ? { state: 'loading' } : null);
  useEffect(() => {
    if (!provider) return setOffer(null);
    let live = true;
    setOffer({ state: 'loading' });
    let pending = offers.get(provider);
    if (!pending) {
      pending = testProvider(provider);
      offers.set(provider, pending);
      const forget = () => offers.delete(provider);
      pending.then((result) => !result.ok && forget(), forget); // a failure is asked again next time
    }
    pending.then(
      (result) => live && setOffer(result.ok ? { state: 'ready', result } : { state: 'failed', detail: result.detail }),
      (err: Error) => live && setOffer({ state: 'failed', detail: err.message }),
    );
    return () => {
      live = false;
    };
  }, [provider]);
  return offer;
}
