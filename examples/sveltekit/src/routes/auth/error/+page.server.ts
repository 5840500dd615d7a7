import type { PageServerLoad } from './$types'

export const load: PageServerLoad = ({ url }) => {
  const code = url.searchParams.get('code') ?? ''
  return { code: /^[a-z0-9_]{1,64}$/.test(code) ? code : 'unknown' }
}
