/**
 * Largest picture side we accept from any video codec header, in pixels.
 * 16384 is twice 8K UHD and above every level limit we meet: H.264 level 6.2
 * (MaxFS 139 264 macroblocks, about 8192x4320), H.265 level 6.2 (8444 luma
 * samples per side), AV1 seq_level 7.3 (16384 wide). Only garbage is refused.
 */
export const MAX_PICTURE_SIDE = 16384;
