import { type ComponentProps, type ComponentType, lazy, Suspense } from 'react';

/**
 * A page whose code is fetched on first render (its own chunk, shared with its area's other
 * pages), shown inside the layout once loaded. The route table uses it like the component.
 */
export function lazyPage<M extends Record<K, ComponentType<any>>, K extends keyof M & string>(
  load: () => Promise<M>,
  name: K,
) {
  const Page = lazy(async () => ({ default: (await load())[name] }));
  // biome-ignore lint/correctness/noComponentHookFactories: called once per page at module level, never during a render
  return function LazyPage(props: ComponentProps<M[K]>) {
    return (
      <Suspense fallback={<p className="page-loading" aria-busy="true" />}>
        <Page {...props} />
      </Suspense>
    );
  };
}
