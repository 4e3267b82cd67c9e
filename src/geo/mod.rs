//! Places: postcodes as people type them, the ONS postcode files councils
//! download, H3 cells and distances, and building neighbourhoods from small
//! areas. Pure where it can be; the store keeps what is read here.

pub mod area_files;
pub mod cells;
pub mod neighbourhood_names;
pub mod neighbourhoods;
pub mod onspd;
pub mod postcode;
