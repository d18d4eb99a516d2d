// A phone that lives as long as the component that asked for it: made after mount, disposed at unmount
// or when its options change. Made in an effect, never in render, so StrictMode's extra mount disposes
// the first phone before the second exists: one phone listens to the transport at a time.
import { createPhone, type Phone, type PhoneOptions } from '@handset/core';
import { useEffect, useState } from 'react';

/**
 * The phone for `options`, or `null` before it is made and while `options` is `null` (not logged in).
 * A new `options` object disposes the phone and makes another: keep it in state or `useMemo`, not inline.
 * The transport is the app's: disposing the phone leaves it open (close it when the user logs out).
 */
export function usePhone(options: PhoneOptions | null): Phone | null {
  const [phone, setPhone] = useState<Phone | null>(null);
  useEffect(() => {
    if (options === null) {
      setPhone(null);
      return;
    }
    const made = createPhone(options);
    setPhone(made);
    return () => {
      made.dispose();
      // Only this phone's own slot is cleared: the next effect may already have put its phone there.
      setPhone((current) => (current === made ? null : current));
    };
  }, [options]);
  return phone;
}
