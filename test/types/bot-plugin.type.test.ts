/** Compile-only: definePlugin infers the option types from the zod schema, for setup and for config. */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  BotNodeApi, Composer, BotContext, Logger, Plugin, PluginOptions, PluginOptionsInput, PluginServices, PluginStore, Scheduler,
} from '../../src/runtime/sdk/index.js';
import { definePlugin, z } from '../../src/runtime/sdk/index.js';

const schema = z.object({
  greeting: z.string().default('hello'),
  conferences: z.array(z.string()).optional(),
  limit: z.number().int(),
});

const withOptions = definePlugin({
  name: 'typed',
  options: schema,
  setup(bot, options, services) {
    expectTypeOf(bot).toEqualTypeOf<Composer<BotContext>>();
    expectTypeOf(options).toEqualTypeOf<{ greeting: string; conferences?: string[] | undefined; limit: number }>();
    expectTypeOf(services).toEqualTypeOf<PluginServices>();
    return { start: () => undefined, stop: async () => undefined };
  },
});

const withoutOptions = definePlugin({
  name: 'bare',
  setup(_bot, options) {
    expectTypeOf(options).toEqualTypeOf<Record<string, never>>();
  },
});

describe('plugin option types', () => {
  it('are the schema output in setup and the schema input in config', () => {
    expectTypeOf(withOptions).toEqualTypeOf<Plugin<typeof schema>>();
    expectTypeOf<PluginOptions<typeof withOptions>>().toEqualTypeOf<{ greeting: string; conferences?: string[] | undefined; limit: number }>();
    expectTypeOf<PluginOptionsInput<typeof withOptions>>().toEqualTypeOf<{ greeting?: string | undefined; conferences?: string[] | undefined; limit: number }>();
    expectTypeOf<PluginOptions<typeof withoutOptions>>().toEqualTypeOf<Record<string, never>>();
  });

  it('give plugins their services', () => {
    expectTypeOf<PluginServices['store']>().toEqualTypeOf<PluginStore>();
    expectTypeOf<PluginServices['scheduler']>().toEqualTypeOf<Scheduler>();
    expectTypeOf<PluginServices['log']>().toEqualTypeOf<Logger>();
    expectTypeOf<PluginServices['node']>().toEqualTypeOf<BotNodeApi>();
    expectTypeOf<PluginServices['signal']>().toEqualTypeOf<AbortSignal>();
  });

  it('reject setups that misuse options', () => {
    definePlugin({
      name: 'wrong',
      options: schema,
      setup(_bot, options) {
        // @ts-expect-error limit is a number
        expectTypeOf(options.limit).toEqualTypeOf<string>();
      },
    });
  });
});
