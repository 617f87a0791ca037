import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const api = { target: process.env.BATON_URL ?? "http://127.0.0.1:8083" };

// Served by `baton serve` at /console/; `npm run dev` proxies the API (and Scheduler's
// /schedules routes) to a local Baton.
export default defineConfig({
  base: "/console/",
  plugins: [react()],
  build: { chunkSizeWarningLimit: 3000, sourcemap: false },
  server: {
    proxy: { "^/$": api, "^/schedules": api },
  },
});
