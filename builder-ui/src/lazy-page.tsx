import type { QueryClient } from '@tanstack/react-query';
import { type ComponentProps, type ComponentType, lazy, Suspense, useState } from 'react';

/** What a page reads first, fetched while its code loads (see `warmRoute` in routes.tsx). */
export type PagePrefetch = (params: Record<string, string | undefined>, client: QueryClient) => void;

export interface LazyPage<P> {
  (props: P): React.JSX.Element;
  /** Starts fetching the page's code without rendering it. */
  preload(): Promise<unknown>;
  prefetch?: PagePrefetch;
}

/**
 * A page whose code is fetched on first render (its own chunk, shared with its area's other
 * pages), shown inside the layout once loaded. The route table uses it like the component; a
 * first visit straight to the page starts its code and its `prefetch` reads at once, beside the
 * session check, rather than one after the other.
 */
export function lazyPage<M extends Record<K, ComponentType<any>>, K extends keyof M & string>(
  load: () => Promise<M>,
  name: K,
  prefetch?: PagePrefetch,
): LazyPage<ComponentProps<M[K]>> {
  let loading: Promise<M> | undefined;
  let loaded: M | undefined;
  const preload = () => {
    loading ??= load().then((module) => {
      loaded = module;
      return module;
    });
    return loading;
  };
  const Page = lazy(async () => ({ default: (await preload())[name] }));
  // biome-ignore lint/correctness/noComponentHookFactories: called once per page at module level, never during a render
  function LazyPage(props: ComponentProps<M[K]>) {
    // Code already here (preloaded by `warmRoute`, or an earlier visit) renders at once: suspending
    // would show the fallback and React would hold the page back for its fallback throttle (300 ms).
    // Decided once per mount, so the page never remounts when its code arrives.
    const [Ready] = useState(() => loaded?.[name]);
    return (
      <Suspense fallback={<p className="page-loading" aria-busy="true" />}>
        {Ready ? <Ready {...props} /> : <Page {...props} />}
      </Suspense>
    );
  }
  return Object.assign(LazyPage, { preload, prefetch });
}
