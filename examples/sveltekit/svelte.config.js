import adapter from '@sveltejs/adapter-node'

/** @type {import('@sveltejs/kit').Config} */
export default {
  kit: {
    // `node build` serves the app; ORIGIN (e.g. http://127.0.0.1:3000) tells it its public URL.
    adapter: adapter(),
  },
}
