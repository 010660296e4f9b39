import type { SessionStore } from '../session-store.js'

/** The embedded default: sessions live in this process only. */
export const localSessions: SessionStore = {
  shared: false,
  create () {},
  load () { return undefined },
  saveField () { return Promise.resolve() },
  touch () {},
  end () {},
  release () {}
}
