/**
 * What a browser has and jsdom lacks, for @grafana/ui in the component tests. Imported first by
 * every `@jest-environment jsdom` test file (imports run in order, so before @grafana/ui loads).
 */
import { TextDecoder, TextEncoder } from 'node:util';

const g = globalThis as Record<string, unknown>;
g.TextEncoder ??= TextEncoder;
g.TextDecoder ??= TextDecoder;
if (typeof window !== 'undefined') {
  window.matchMedia ??= ((query: string) => ({
    matches: false, media: query, onchange: null,
    addListener: () => undefined, removeListener: () => undefined,
    addEventListener: () => undefined, removeEventListener: () => undefined, dispatchEvent: () => false,
  })) as unknown as typeof window.matchMedia;
  g.IntersectionObserver ??= class { observe() { /* jsdom scrolls nothing into view */ } unobserve() { /* idem */ } disconnect() { /* idem */ } takeRecords() { return []; } };
  g.ResizeObserver ??= class { observe() { /* jsdom lays nothing out */ } unobserve() { /* idem */ } disconnect() { /* idem */ } };
}
if (typeof window !== 'undefined') {
  // jsdom has no pseudo-element styles (the drawer's scroll locker asks for ::-webkit-scrollbar)
  const computed = window.getComputedStyle.bind(window);
  window.getComputedStyle = ((el: Element) => computed(el)) as typeof window.getComputedStyle;
}
