// A Handset phone as Vue state: `login` makes it, `call` follows its `call$` and `link` its transport's
// status; the phone is disposed (and its transport closed) when the component that used it unmounts.
import {
  type CallView,
  createPhone,
  type Phone,
  type PhoneOptions,
  type TransportStatus,
} from '@handset/core';
import { onScopeDispose, type ShallowRef, shallowRef } from 'vue';

export function usePhone(): {
  phone: ShallowRef<Phone | null>;
  call: ShallowRef<CallView | null>;
  link: ShallowRef<TransportStatus | 'offline'>;
  login(options: PhoneOptions): void;
} {
  const phone = shallowRef<Phone | null>(null);
  const call = shallowRef<CallView | null>(null);
  const link = shallowRef<TransportStatus | 'offline'>('offline');
  let close = () => {};

  function login(options: PhoneOptions): void {
    close();
    const made = createPhone(options);
    const subscription = made.call$.subscribe((view) => {
      call.value = view;
    });
    subscription.add(
      options.transport.status$.subscribe((status) => {
        link.value = status;
      }),
    );
    phone.value = made;
    close = () => {
      subscription.unsubscribe();
      made.dispose();
      options.transport.close();
    };
  }

  onScopeDispose(() => close());
  return { phone, call, link, login };
}
