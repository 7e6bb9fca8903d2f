import type { LinkActionsEvent } from '../../../src-shared/ipc/channels.js';
import type { Api } from '../api.js';

/** How long a "Copied 3 links" confirmation stays up. */
const MESSAGE_MS = 6_000;

/** What the window says after acting on fresh links; `copy`/`open` remain when the browser refused to act unasked. */
export type LinkActionsMessage = { readonly text: string; readonly copy: string | null; readonly open: string | null };

/**
 * Browser mode's side of the after-upload link actions: the host decides (`app:link-actions`),
 * the window acts, because only it can reach this machine's clipboard, tabs and notifications.
 * A browser may refuse a clipboard write or a new tab that no click asked for; then the message
 * offers a button that does it. (The Electron shell acts in main and never sends these here.)
 */
export class LinkActionsRunner {
  readonly #api: Api;
  readonly #onreveal: (jobId: string) => void;
  #message = $state.raw<LinkActionsMessage | null>(null);
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(api: Api, onreveal: (jobId: string) => void) {
    this.#api = api;
    this.#onreveal = onreveal;
  }

  get message(): LinkActionsMessage | null {
    return this.#message;
  }

  start(): () => void {
    const stop = this.#api.subscribe('app:link-actions', (event) => void this.perform(event));
    return () => {
      stop();
      if (this.#timer) clearTimeout(this.#timer);
    };
  }

  async perform(event: LinkActionsEvent): Promise<void> {
    const said: string[] = [];
    let copy: string | null = null;
    let open: string | null = null;
    if (event.copy) {
      const n = event.copy.count;
      try {
        await navigator.clipboard.writeText(event.copy.text);
        said.push(`Copied ${n === 1 ? 'the link' : `${n} links`}`);
      } catch {
        copy = event.copy.text;
        said.push(`${n === 1 ? 'A link is' : `${n} links are`} ready to copy`);
      }
    }
    for (const url of event.open) {
      const tab = window.open(url, '_blank');
      if (tab) tab.opener = null;
      else open ??= url;
    }
    if (event.open.length > 0) said.push(open ? 'the browser blocked opening it' : `opened ${event.open.length === 1 ? 'it' : `${event.open.length} links`}`);
    if (event.notice) {
      said.push(event.notice.title);
      this.#notify(event.notice);
    }
    if (said.length === 0) return;
    // A batch's notice follows its copy: say both rather than replace "Copied 3 links".
    const earlier = event.copy === null && event.open.length === 0 ? this.#message : null;
    copy ??= earlier?.copy ?? null;
    open ??= earlier?.open ?? null;
    const text = `${earlier ? `${earlier.text} ` : ''}${said.join('; ')}.`;
    this.#show({ text, copy, open }, copy === null && open === null);
  }

  /** Does what the browser refused to do unasked, now that a click asks for it. */
  async copyNow(): Promise<void> {
    const text = this.#message?.copy;
    if (!text) return;
    await navigator.clipboard.writeText(text);
    this.#show({ text: 'Copied.', copy: null, open: this.#message?.open ?? null }, true);
  }
  openNow(): void {
    const url = this.#message?.open;
    if (url) window.open(url, '_blank', 'noopener');
    this.#show({ text: this.#message?.text ?? '', copy: this.#message?.copy ?? null, open: null }, this.#message?.copy == null);
  }
  dismiss(): void {
    this.#message = null;
  }

  /** Asks for notification permission; call from a click (browsers ignore it otherwise). */
  askForNotices(): void {
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
  }

  #notify(notice: NonNullable<LinkActionsEvent['notice']>): void {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    const n = new Notification(notice.title, { body: notice.body });
    n.onclick = () => {
      window.focus();
      this.#onreveal(notice.jobId);
    };
  }

  #show(message: LinkActionsMessage, fades: boolean): void {
    this.#message = message;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = fades ? setTimeout(() => (this.#message = null), MESSAGE_MS) : null;
  }
}
