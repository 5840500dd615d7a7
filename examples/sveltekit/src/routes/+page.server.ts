import { getSession } from '$lib/server/session'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async (event) => {
  const session = await getSession(event)
  return { user: session?.user ?? null }
}
