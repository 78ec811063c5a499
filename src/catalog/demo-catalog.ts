// The demo catalog seeded into an empty database, so a fresh install has something to order.
import type { Kysely } from 'kysely'
import type { Tables } from '../db/tables.js'

const demoProducts: Array<[sku: string, name: string, description: string, priceCents: number, stock: number]> = [
  ['FC-TENT-2P', 'Trail Tent 2P', 'Two-person three-season backpacking tent.', 24_900, 40],
  ['FC-BAG-0C', 'Summit Sleeping Bag', 'Down sleeping bag rated to 0 °C.', 18_900, 35],
  ['FC-PAD-R4', 'Insulated Sleeping Pad', 'Inflatable pad, R-value 4.2.', 12_900, 60],
  ['FC-STOVE-1', 'Canister Stove', 'Lightweight stove with piezo ignition.', 5_900, 80],
  ['FC-POT-750', 'Titanium Pot 750 ml', 'Pot with lid, nests a fuel canister.', 4_500, 100],
  ['FC-LAMP-400', 'Headlamp 400', 'Rechargeable headlamp, 400 lumens.', 3_900, 120],
  ['FC-FILTER', 'Water Filter', 'Squeeze filter, 0.1 micron.', 3_500, 90],
  ['FC-PACK-45', 'Daypack 45 L', 'Framed pack with rain cover.', 15_900, 30],
  ['FC-POLE-PR', 'Trekking Poles (pair)', 'Carbon poles with cork grips.', 9_900, 50],
  ['FC-JKT-RAIN', 'Rain Jacket', 'Waterproof breathable shell.', 17_900, 45],
  ['FC-SOCK-3', 'Merino Socks (3 pairs)', 'Cushioned hiking socks.', 2_900, 200],
  ['FC-KIT-FA', 'First Aid Kit', 'Compact kit for two people, three days.', 2_500, 150],
]

export async function seedDemoCatalog(db: Kysely<Tables>): Promise<number> {
  const existing = await db
    .selectFrom('products')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirst()
  if (Number(existing?.count ?? 0) > 0) return 0
  const now = new Date().toISOString()
  await db
    .insertInto('products')
    .values(
      demoProducts.map(([sku, name, description, priceCents, stock]) => ({
        sku,
        name,
        description,
        price_cents: priceCents,
        currency_code: 'USD',
        quantity_in_stock: stock,
        updated_at: now,
      })),
    )
    .onConflict((conflict) => conflict.column('sku').doNothing())
    .execute()
  return demoProducts.length
}

export const DEMO_SKUS = demoProducts.map(([sku]) => sku)
export const DEMO_NAMES = demoProducts.map(([, name]) => name)
