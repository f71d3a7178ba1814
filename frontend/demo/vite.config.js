// Dev-only: the demo bundle the demo host serves at /mfe-demo/ (sandbox/host/mfe_demo.py).
// It mounts the package's widgets as the MFE plugin slots do, with stand-ins for the two
// platform services a real MFE initialises itself: getConfig() and the authenticated client.
// The stand-ins live here, never in the package (src/).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/mfe-demo/',
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^@edx\/frontend-platform$/, replacement: here('./standins/config.js') },
      { find: /^@edx\/frontend-platform\/auth$/, replacement: here('./standins/auth.js') },
    ],
  },
  build: {
    outDir: here('../dist-demo'),
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: true,
    rollupOptions: {
      input: here('./main.jsx'),
      output: {
        entryFileNames: 'assets/demo.js',
        chunkFileNames: 'assets/[name].js',
        assetFileNames: 'assets/[name][extname]',
      },
    },
  },
});
