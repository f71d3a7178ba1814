// The package's build: src/ compiled to dist/ (ES modules, JSX compiled), because an MFE's
// webpack (frontend-build) runs Babel only on its own sources and @edx packages, not on
// dependencies such as this one. React and frontend-platform stay the host MFE's own.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const external = [
  /^react($|\/)/,
  /^react-dom($|\/)/,
  'prop-types',
  /^@edx\/frontend-platform($|\/)/,
  /^@openedx\/frontend-plugin-framework($|\/)/,
];

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    target: 'es2020',
    lib: { entry: 'src/index.js', formats: ['es'], fileName: () => 'index.js' },
    rollupOptions: { external },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./vitest.setup.js'],
    include: ['src/**/*.test.{js,jsx}'],
    restoreMocks: true,
  },
});
