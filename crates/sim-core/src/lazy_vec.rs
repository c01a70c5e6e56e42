//! `LazyVec`: a list that costs one pointer until something is pushed.
//!
//! Most processes never link, monitor or mark; keeping their five relation lists
//! at 8 bytes each instead of 24 keeps an idle process small (the W6 budget).

use smallvec::SmallVec;
use std::ops::Deref;

/// A list allocated on first push; reads through `Deref<Target = [T]>`.
///
/// The box is the point: `Option<Box<_>>` is one pointer, a `Vec` three. Its
/// first element lives in the box itself, so the common single link, monitor
/// or marker costs one allocation, not a box and a buffer.
#[derive(Clone, Debug)]
pub(crate) struct LazyVec<T>(Option<Box<SmallVec<[T; 1]>>>);

impl<T> Default for LazyVec<T> {
    fn default() -> Self {
        LazyVec(None)
    }
}

impl<T> LazyVec<T> {
    pub(crate) fn new() -> Self {
        LazyVec(None)
    }

    pub(crate) fn push(&mut self, v: T) {
        self.0.get_or_insert_with(Default::default).push(v);
    }

    pub(crate) fn retain(&mut self, mut f: impl FnMut(&T) -> bool) {
        if let Some(v) = &mut self.0 {
            v.retain(|x| f(x));
        }
    }

    pub(crate) fn remove(&mut self, i: usize) -> T {
        match &mut self.0 {
            // The last element moves nothing after it (the common single
            // monitor or request): no call to move zero bytes.
            Some(v) if i + 1 == v.len() => v.swap_remove(i),
            Some(v) => v.remove(i),
            None => panic!("LazyVec::remove({i}) on an empty list"),
        }
    }

    pub(crate) fn swap_remove(&mut self, i: usize) -> T {
        match &mut self.0 {
            Some(v) => v.swap_remove(i),
            None => panic!("LazyVec::swap_remove({i}) on an empty list"),
        }
    }

    pub(crate) fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        match &mut self.0 {
            Some(v) => v.iter_mut(),
            None => [].iter_mut(),
        }
    }
}

impl<T> LazyVec<T> {
    /// [`LazyVec::push`], taking the box from `spares` if the list has none.
    pub(crate) fn push_in(&mut self, v: T, spares: &mut Spares<T>) {
        self.0
            .get_or_insert_with(|| spares.boxes.pop().unwrap_or_default())
            .push(v);
    }

    /// Takes every element out, in order, leaving the list empty and its box
    /// with `spares` for a later [`LazyVec::push_in`].
    pub(crate) fn take_into(&mut self, spares: &mut Spares<T>) -> smallvec::IntoIter<[T; 1]> {
        let Some(mut b) = self.0.take() else {
            return SmallVec::new().into_iter();
        };
        let items = std::mem::take(&mut *b);
        if spares.boxes.len() < MAX_SPARES {
            spares.boxes.push(b);
        }
        items.into_iter()
    }
}

/// How many boxes [`Spares`] keeps at most.
const MAX_SPARES: usize = 64;

/// Empty boxes of lists that were emptied, for lists that fill and empty
/// again and again (the monitors of processes that come and go): such a list
/// takes one here instead of allocating.
pub(crate) struct Spares<T> {
    boxes: Vec<Box<SmallVec<[T; 1]>>>,
}

impl<T> Default for Spares<T> {
    fn default() -> Self {
        Spares { boxes: Vec::new() }
    }
}

impl<T> Deref for LazyVec<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match &self.0 {
            Some(v) => v,
            None => &[],
        }
    }
}

impl<T> IntoIterator for LazyVec<T> {
    type Item = T;
    type IntoIter = smallvec::IntoIter<[T; 1]>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.map(|b| *b).unwrap_or_default().into_iter()
    }
}

impl<T> FromIterator<T> for LazyVec<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let v: SmallVec<[T; 1]> = iter.into_iter().collect();
        if v.is_empty() {
            LazyVec(None)
        } else {
            LazyVec(Some(Box::new(v)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{LazyVec, Spares};

    #[test]
    fn a_list_emptied_into_spares_gives_its_box_to_the_next_list() {
        let mut spares = Spares::default();
        let mut a = LazyVec::new();
        for i in 0..3 {
            a.push_in(i, &mut spares);
        }
        assert_eq!(a.take_into(&mut spares).collect::<Vec<_>>(), [0, 1, 2]);
        assert!(a.is_empty());
        assert_eq!(spares.boxes.len(), 1);
        let mut b = LazyVec::new();
        b.push_in(7, &mut spares);
        assert!(spares.boxes.is_empty(), "the spare box was taken");
        assert_eq!(&*b, &[7]);
        assert_eq!(LazyVec::<u8>::new().take_into(&mut spares).count(), 0);
    }
}
