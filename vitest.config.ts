import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    // koffi and real sockets are happiest in child processes rather than worker threads.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 60_000,
    typecheck: {
      enabled: true,
      include: ['test/types/**/*.type.test.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
