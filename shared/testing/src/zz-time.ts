import { globalSetup, globalTeardown } from '/work/main/shared/testing/src/global-setup.ts';
for (let i = 0; i < 2; i++) {
  let t = Date.now();
  await globalSetup();
  const up = Date.now() - t;
  t = Date.now();
  await globalTeardown();
  console.log(`setup ${up} ms, teardown ${Date.now() - t} ms`);
}
