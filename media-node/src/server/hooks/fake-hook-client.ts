import type { AdmissionAction, HookAction, HookRequest, NotifyAction } from './hook-body.ts';
import { ALLOWED } from './hook-client.ts';
import type { HookClient, HookVerdict } from './hook-client.ts';

export interface FakeHookCall {
  readonly action: HookAction;
  readonly request: HookRequest;
}

/**
 * The test fake: records every call in order, answers admissions with the
 * verdict set per action (allowed by default), and can hold admissions open
 * until `release()` to test what happens while a hook is pending.
 */
export class FakeHookClient implements HookClient {
  readonly calls: FakeHookCall[] = [];
  private readonly verdicts = new Map<AdmissionAction, HookVerdict>();
  private held: Array<() => void> | null = null;

  /** Answer `action` with a refusal from now on. */
  deny(action: AdmissionAction, reason: 'hook_rejected' | 'auth_unavailable' = 'hook_rejected', detail = 'code 1'): void {
    this.verdicts.set(action, { ok: false, reason, detail, url: 'http://fake/hook' });
  }

  /** Admit `action` under another stream name (what a control plane's playback name does). */
  rename(action: AdmissionAction, streamName: string): void {
    this.verdicts.set(action, { ok: true, streamName });
  }

  /** Answer `action` with "allowed" again. */
  /** Admit `action` with this verdict (a control plane's rename, recording mode, SRT passphrase). */
  admitWith(action: AdmissionAction, verdict: Extract<HookVerdict, { ok: true }>): void {
    this.verdicts.set(action, verdict);
  }

  allow(action: AdmissionAction): void {
    this.verdicts.delete(action);
  }

  /** From now on admissions wait until `release()`. */
  hold(): void {
    this.held ??= [];
  }

  /** Let every held admission answer, and stop holding. */
  release(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const go of waiting) go();
  }

  /** The actions called so far, in order. */
  actions(): HookAction[] {
    return this.calls.map((c) => c.action);
  }

  async admit(action: AdmissionAction, request: HookRequest): Promise<HookVerdict> {
    this.calls.push({ action, request });
    if (this.held !== null) {
      const held = this.held;
      await new Promise<void>((resolve) => held.push(resolve));
    }
    return this.verdicts.get(action) ?? ALLOWED;
  }

  async notify(action: NotifyAction, request: HookRequest): Promise<void> {
    this.calls.push({ action, request });
  }
}
