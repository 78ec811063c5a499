// What an org needs for flowcart to follow Product2 through the Pub/Sub API: the Change Data Capture selections of
// salesforce/catalog-from-salesforce, kept out of the deploys every org makes because each selection uses the org's
// entity allocation, and the deploy salesforce/README.md gives for them.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'

const SALESFORCE = fileURLToPath(new URL('../salesforce', import.meta.url))
const CATALOG = 'catalog-from-salesforce'
const MEMBERS = join(SALESFORCE, CATALOG, 'main/default/platformEventChannelMembers')
const SUFFIX = '.platformEventChannelMember-meta.xml'
const README = readFileSync(join(SALESFORCE, 'README.md'), 'utf8')

function walk(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? walk(path) : [path]
  })
}

const parser = new XMLParser({ parseTagValue: false })

/** Each selection as the Metadata API names it: the file name is the member's full name. */
function members() {
  return readdirSync(MEMBERS).map((file) => {
    const member = (parser.parse(readFileSync(join(MEMBERS, file), 'utf8')) as Record<string, Record<string, string>>)
      .PlatformEventChannelMember
    return { fullName: file.slice(0, -SUFFIX.length), channel: member?.eventChannel, entity: member?.selectedEntity }
  })
}

describe('Change Data Capture selections for the catalog', () => {
  it('select Product2 and PricebookEntry on the standard ChangeEvents channel, named channel_event', () => {
    // "For the standard channel, the name is ChangeEvents"; the developer name of a member of it is
    // "ChangeEvents_AccountChangeEvent" (Metadata API and Tooling API references, PlatformEventChannelMember).
    expect(members()).toEqual([
      {
        fullName: 'ChangeEvents_PricebookEntryChangeEvent',
        channel: 'ChangeEvents',
        entity: 'PricebookEntryChangeEvent',
      },
      { fullName: 'ChangeEvents_Product2ChangeEvent', channel: 'ChangeEvents', entity: 'Product2ChangeEvent' },
    ])
  })

  it('are in no deploy an org makes without following its catalog', () => {
    const elsewhere = ['force-app', 'applink', 'manifest']
      .flatMap((dir) => walk(join(SALESFORCE, dir)))
      .filter((file) => file.endsWith(SUFFIX) || readFileSync(file, 'utf8').includes('PlatformEventChannelMember'))
    expect(elsewhere).toEqual([])
  })

  it('salesforce/README.md deploys them in a section of their own and says what needs a real org', () => {
    const start = README.indexOf('\n## Letting flowcart follow Product2 (Change Data Capture)\n')
    expect(start).toBeGreaterThan(-1)
    const section = README.slice(start, README.indexOf('\n## ', start + 1))
    expect(section).toContain(`sf project deploy start --source-dir ${CATALOG} --target-org`)
    expect(section).toContain('meta_platformeventchannelmember.htm')
    expect(section).toContain('cdc_security_perms.htm')
    expect(section).toContain('**Verify in a real org:**')
    expect(section).not.toMatch(/--source-dir force-app[\s`]/)
  })
})
