/**
 * Which part of an exchange a request is in, so that a fault or a timeout can say where it hung:
 * `connect` until a socket is connected, `headers` until the response headers arrive, `body` while
 * the body is read. Shared by the http kind and the Engramia client (one network-error text).
 */
import type { Dispatcher } from 'undici';
import type { RequestPhase } from './errors';

export class Phase {
  value: RequestPhase = 'connect';
}

/** A dispatcher that records when the request got a connected socket (connect → headers phase). */
export function trackPhase(dispatcher: Dispatcher, phase: Phase): Dispatcher {
  return dispatcher.compose((dispatch) => (opts, handler) => {
    const wrapped = new Proxy(handler as object, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if ((key === 'onConnect' || key === 'onRequestStart') && typeof v === 'function') {
          return (...args: unknown[]) => {
            if (phase.value === 'connect') phase.value = 'headers';
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    return dispatch(opts, wrapped as Dispatcher.DispatchHandler);
  });
}
