// Salesforce API names that the code, the generated metadata under salesforce/ and the emulator must agree on.
export const PRODUCT_OBJECT = 'Product2'
export const DEFAULT_PRODUCT_MATCH_FIELD = 'ProductCode'
export const DEFAULT_STOCK_FIELD = 'Qty_In_Stock__c'
export const DEFAULT_INVENTORY_EVENT = 'Inventory_Update__e'
export const INVENTORY_EVENT_FIELDS = {
  productId: 'Product_Id__c',
  sku: 'SKU__c',
  quantityInStock: 'Qty_In_Stock__c',
} as const
export const DEFAULT_API_VERSION = '63.0'

/** The client Id flowcart's REST calls name in Sforce-Call-Options, and Change Data Capture in changeOrigin. */
export const FLOWCART_CLIENT_ID = 'flowcart'
