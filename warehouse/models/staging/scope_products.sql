-- Products this build touches: named by the batch's products, order lines, inventory
-- snapshots and reviews (every product on a full refresh).
select product_id from {{ source('staging', 'products') }} where {{ in_build_batch() }}
union
select product_id from {{ source('staging', 'order_items') }} where {{ in_build_batch() }}
union
select product_id from {{ source('staging', 'inventory') }} where {{ in_build_batch() }}
union
select product_id from {{ source('staging', 'reviews') }}
where {{ in_build_batch() }} and product_id is not null
