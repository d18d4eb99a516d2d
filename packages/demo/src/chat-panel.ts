// The in-call text chat: a log of this call's messages both ways, and the Message box with Send, offered
// while the call is connected (the messages go over the call's own data channel: phone.sendMessage).
import type { CallState, CallView, Phone } from '@handset/core';

export interface ChatElements {
  chat: HTMLElement;
  log: HTMLOListElement;
  form: HTMLFormElement;
  message: HTMLInputElement;
  send: HTMLButtonElement;
}

export interface ChatPanel {
  render(view: CallView): void;
  /** Shows the phone's incoming messages (its `message` events) for as long as it lives. */
  listen(phone: Phone): void;
}

/** The data channel opens with the connection and stays while it lives, held or not. */
const CHAT_STATES: ReadonlySet<CallState> = new Set([
  'connected',
  'on-hold',
  'renegotiating',
  'reconnecting',
]);

export function createChatPanel(
  elements: ChatElements,
  options: { phone(): Phone | null; report(error: unknown): void },
): ChatPanel {
  let callId: string | null = null;
  let peerId = 'Peer';

  function append(from: 'local' | 'remote', text: string): void {
    const item = document.createElement('li');
    item.dataset.from = from;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = from === 'local' ? 'You' : peerId;
    const body = document.createElement('span');
    body.className = 'text';
    // textContent, never HTML: the peer's words are data.
    body.textContent = text;
    item.append(who, body);
    elements.log.append(item);
    item.scrollIntoView?.({ block: 'nearest' });
  }

  elements.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const phone = options.phone();
    const text = elements.message.value;
    if (!phone || text.trim() === '') return;
    try {
      phone.sendMessage(text);
    } catch (error) {
      // Too long, or the channel closed: the text stays in the box to shorten or resend.
      options.report(error);
      return;
    }
    append('local', text);
    elements.message.value = '';
  });

  return {
    render(view) {
      // Each call starts a fresh conversation; the last one stays readable after hang-up.
      if (view.callId !== null && view.callId !== callId) {
        callId = view.callId;
        elements.log.replaceChildren();
      }
      peerId = view.peerId ?? 'Peer';
      const open = CHAT_STATES.has(view.state);
      elements.form.hidden = !open;
      elements.chat.hidden = !open && elements.log.childElementCount === 0;
    },
    listen(phone) {
      phone.events$.subscribe((event) => {
        if (event.type === 'message' && event.callId === callId) append('remote', event.text);
      });
    },
  };
}
