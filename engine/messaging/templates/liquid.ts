import { Liquid, type Template } from 'liquidjs';
import { BoundedCache } from '../../bounded-cache';
import type { ContentLookup } from './content-lookup';
import { CONTENT_LIBRARY, PRODUCT_PAIRS } from './scope';

/** Limits that keep a hostile or broken template from stalling a worker. */
export const LIQUID_LIMITS = {
  /** Characters of template source parsed per render. */
  parseLimit: 200_000,
  /** Milliseconds of rendering. */
  renderLimit: 2_000,
  /** Approximate bytes of strings and arrays created while rendering. */
  memoryLimit: 20_000_000,
};

/**
 * A Liquid engine configured safely: an unknown variable or filter is an error (except as the
 * condition of `if`/`unless` and in `| default`), only own properties are readable (no
 * prototype walking), HTML output is escaped unless `| raw`, and parsing and rendering are
 * bounded. `partials` are the workspace's layouts and snippets, by name; nothing is read from disk.
 */
export function createLiquid(options: { html: boolean; partials: Record<string, string> }): Liquid {
  const liquid = new Liquid({
    templates: options.partials,
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    ownPropertyOnly: true,
    outputEscape: options.html ? 'escape' : undefined,
    dynamicPartials: true,
    relativeReference: false,
    cache: false,
    ...LIQUID_LIMITS,
  });
  liquid.registerFilter('bought_with', boughtWith);
  liquid.registerFilter('asset_url', function (this: FilterThis, id: unknown) {
    return library(this).assetUrl(id, 'original');
  });
  liquid.registerFilter('asset_thumbnail_url', function (this: FilterThis, id: unknown) {
    return library(this).assetUrl(id, 'thumbnail');
  });
  liquid.registerFilter('content_item', function (this: FilterThis, id: unknown) {
    return library(this).item(id);
  });
  liquid.registerFilter('content_url', async function (this: FilterThis, id: unknown) {
    return (await library(this).item(id)).url;
  });
  return liquid;
}

/**
 * Engines by escaping and partials, each with the sources it parsed last: sends render the same
 * few templates again and again. Engines hold no workspace's state (filters read the render's).
 */
const engines = new BoundedCache<string, { liquid: Liquid; parsed: BoundedCache<string, Template[]> }>(16);
/** Parsed sources kept per engine (a large HTML email parses in milliseconds, every time). */
const PARSED_PER_ENGINE = 8;

/** Renders Liquid sources with one kept engine. */
export interface LiquidRenderer {
  render(source: string, scope: object): Promise<string>;
}

/**
 * The engine `createLiquid` makes for these options, made once and kept with its parsed
 * sources. Partials are part of the key, so a changed layout or snippet gets an engine of its
 * own; a render never sees another's state (limits count per render).
 */
export function liquidFor(options: { html: boolean; partials: Record<string, string> }): LiquidRenderer {
  const key = `${options.html ? 'html' : 'text'}:${JSON.stringify(options.partials)}`;
  let engine = engines.get(key);
  if (!engine) {
    engine = { liquid: createLiquid(options), parsed: new BoundedCache(PARSED_PER_ENGINE) };
    engines.set(key, engine);
  }
  const { liquid, parsed } = engine;
  return {
    render(source, scope) {
      let templates = parsed.get(source);
      if (!templates) {
        templates = liquid.parse(source);
        parsed.set(source, templates);
      }
      return liquid.render(templates, scope);
    },
  };
}

/**
 * `{{ "tea" | bought_with }}`: the products often bought with a product, strongest lift first,
 * from the last affinity refresh, loaded on first use; `| bought_with: 3` keeps three.
 */
async function boughtWith(
  this: { context: { environments: unknown } },
  product: unknown,
  limit?: unknown,
): Promise<string[]> {
  const load = (this.context.environments as { [PRODUCT_PAIRS]?: () => Promise<Record<string, string[]>> })[
    PRODUCT_PAIRS
  ];
  const pairs = load ? await load() : {};
  const list = Object.hasOwn(pairs, String(product)) ? pairs[String(product)] : [];
  return typeof limit === 'number' && limit >= 0 ? list.slice(0, limit) : list;
}

type FilterThis = { context: { environments: unknown } };

/**
 * The content library of the render (`{{ 'asset-id' | asset_url }}`, `{{ 'item-id' | content_url }}`,
 * `{% assign offer = 'item-id' | content_item %}`): the workspace's, set by whoever built the scope.
 */
function library(filter: FilterThis): ContentLookup {
  const lookup = (filter.context.environments as { [CONTENT_LIBRARY]?: ContentLookup })[CONTENT_LIBRARY];
  if (!lookup) throw new Error('the content library is not available in this render');
  return lookup;
}
