-- An order for one unit of one hot product, as a transaction of its own: the stock row taken, the order and its
-- item written, committed. The order is one statement (data-modifying WITH), as flowcart's own order statement is
-- (src/orders/order-writers.ts), so the row is locked only from the update to the commit: the fastest a
-- transaction per order can be. pgbench -f runs it; :product is the hot product's id (-D product=…).
begin;
with taken as (
  update products set quantity_in_stock = quantity_in_stock - 1, updated_at = now()
  where id = :product and quantity_in_stock >= 1 and archived_at is null
  returning id, sku, name, price_cents, currency_code
), placed as (
  insert into orders (status, currency_code, total_cents, created_at)
  select 'placed', currency_code, price_cents, now() from taken
  returning id
)
insert into order_items (order_id, product_id, sku, name, quantity, unit_price_cents, total_cents)
select placed.id, taken.id, taken.sku, taken.name, 1, taken.price_cents, taken.price_cents from placed, taken;
commit;
