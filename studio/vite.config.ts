import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The studio: built into studio/dist, which the API serves on its own port (same-origin /api). */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      output: {
        // The lazy chunk shared by the editor and the run view holds the canvas (React Flow): say so.
        chunkFileNames: (chunk) =>
          chunk.moduleIds.some((id) => id.includes('/@xyflow/react/')) ? 'assets/canvas-[hash].js' : 'assets/[name]-[hash].js',
      },
    },
  },
  server: {
    // `npx vite studio` for development, against an API on :3000.
    proxy: { '/api': { target: 'http://localhost:3000', changeOrigin: false } },
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
  },
});
