import type { NextConfig } from 'next'

// Nothing special: `oauthkit` resolves to the repository's own package (package.json "exports" → dist/).
const config: NextConfig = {}

export default config
