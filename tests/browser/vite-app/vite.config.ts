import { defineConfig } from 'vite';

// The desk is published from site/, which the Heroku web process served.
export default defineConfig({
  build: { outDir: 'site', emptyOutDir: true },
});
