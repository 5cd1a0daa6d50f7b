//! Folded item names for matching ("Bơm tiêm 5ML" → "bom tiem 5ml").
