//! Numbers as Vietnamese files write them ("1.234.567", "1.234.567,5", "12.500 đ", "1,5 triệu").
