; Backplane demo floppy: boots on the built-in BIOS (or any PC BIOS) and shows the machine
; working through BIOS services only: the screen (INT 10h), COM1 (INT 14h), the PIT tick
; (INT 1Ah, IRQ 0), the floppy (INT 13h, DMA) and the hard disk (INT 13h, ATA).
; Build: nasm -f bin demo-floppy.asm; the machine pads it to a 1.44 MiB image.
; Layout: sector 1 the boot sector, sectors 2.. the program, loaded at 0800:0000.

cpu 8086
bits 16

PROGRAM_SEG     equ 0x0800
PROGRAM_SECTORS equ (program_end - program + 511) / 512

        org     0x7C00
boot:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, 0x7C00
        sti
        mov     [boot_drive], dl
        mov     si, 3                   ; attempts
.read:  mov     ax, PROGRAM_SEG
        mov     es, ax
        xor     bx, bx
        mov     ax, 0x0200 + PROGRAM_SECTORS
        mov     cx, 0x0002              ; cylinder 0, sector 2
        xor     dh, dh
        mov     dl, [boot_drive]
        int     0x13
        jnc     .go
        xor     ah, ah
        int     0x13
        dec     si
        jnz     .read
        mov     si, msg_fail
.p:     lodsb
        or      al, al
        jz      .halt
        mov     ah, 0x0E
        xor     bx, bx
        int     0x10
        jmp     .p
.halt:  cli
        hlt
        jmp     .halt
.go:    mov     dl, [boot_drive]
        jmp     PROGRAM_SEG:0

boot_drive:     db 0
msg_fail:       db 'demo: could not load the program', 13, 10, 0
        times 510 - ($ - $$) db 0
        dw      0xAA55

; ---------------------------------------------------------------------------------------------
        section program vstart=0
program:
        mov     ax, cs
        mov     ds, ax
        mov     es, ax
        mov     [drive], dl
        mov     si, msg_hello
        call    print
        call    pit_ticks
        call    floppy_reread
        call    hard_disk
        mov     si, msg_done
        call    print
.halt:  cli                             ; the machine stops here: halted, interrupts off
        hlt
        jmp     .halt

; PIT: wait for 18 ticks of IRQ 0 (about one second of virtual time), counting them.
pit_ticks:
        mov     si, msg_pit
        call    print
        xor     ah, ah
        int     0x1A
        mov     bx, dx                  ; start tick (low word)
        xor     di, di
.w:     sti
        hlt
        xor     ah, ah
        int     0x1A
        mov     ax, dx
        sub     ax, bx
        cmp     ax, di
        je      .w
        mov     di, ax
        mov     al, '.'
        call    putc
        cmp     di, 18
        jb      .w
        mov     ax, di
        call    print_dec
        mov     si, msg_pit_done
        jmp     print

; Floppy: read the boot sector again through INT 13h and compare it with the copy at 0:7C00.
floppy_reread:
        mov     si, msg_fd
        call    print
        mov     ax, 0x0201
        mov     cx, 0x0001
        xor     dh, dh
        mov     dl, [drive]
        mov     bx, buffer
        int     0x13
        jc      .fail
        push    ds
        xor     ax, ax
        mov     ds, ax
        mov     si, 0x7C00
        mov     di, buffer
        mov     cx, 512
        xor     dx, dx
.cmp:   lodsb
        scasb
        jne     .ne
        inc     dx
.ne:    loop    .cmp
        pop     ds
        mov     ax, dx
        call    print_dec
        mov     si, msg_fd_ok
        jmp     print
.fail:  mov     si, msg_fd_fail
        jmp     print

; Hard disk: read sectors 2-3 of the first hard disk and print the text stored there.
hard_disk:
        mov     si, msg_hd
        call    print
        mov     ah, 0x08
        mov     dl, 0x80
        push    es
        int     0x13
        pop     es
        jc      .none
        mov     ax, 0x0202
        mov     cx, 0x0002              ; cylinder 0, sectors 2 and 3
        xor     dh, dh
        mov     dl, 0x80
        mov     bx, buffer
        int     0x13
        jc      .fail
        mov     si, buffer
        cmp     word [si], 'BP'          ; the disk's own marker
        jne     .foreign
        add     si, 2
        call    print
        ret
.none:  mov     si, msg_hd_none
        jmp     print
.fail:  mov     si, msg_hd_fail
        jmp     print
.foreign:
        mov     si, msg_hd_foreign
        jmp     print

; DS:SI = NUL-terminated text -> screen and COM1
print:
        lodsb
        or      al, al
        jz      .d
        call    putc
        jmp     print
.d:     ret

putc:
        push    ax
        push    bx
        push    dx
        push    ax
        mov     ah, 0x0E
        xor     bx, bx
        int     0x10
        pop     ax
        mov     ah, 0x01                ; INT 14h: send AL on COM1
        xor     dx, dx
        int     0x14
        pop     dx
        pop     bx
        pop     ax
        ret

; AX -> decimal
print_dec:
        push    ax
        push    bx
        push    cx
        push    dx
        mov     bx, 10
        xor     cx, cx
.d:     xor     dx, dx
        div     bx
        push    dx
        inc     cx
        or      ax, ax
        jnz     .d
.p:     pop     ax
        add     al, '0'
        call    putc
        loop    .p
        pop     dx
        pop     cx
        pop     bx
        pop     ax
        ret

drive:          db 0
msg_hello:      db 'Backplane demo: booted from the built-in floppy image.', 13, 10, 0
msg_pit:        db 'PIT: waiting for 18 timer ticks (IRQ 0) ', 0
msg_pit_done:   db ' ticks, about one second of virtual time.', 13, 10, 0
msg_fd:         db 'Floppy: read the boot sector again through DMA: ', 0
msg_fd_ok:      db ' of 512 bytes match.', 13, 10, 0
msg_fd_fail:    db 'read failed.', 13, 10, 0
msg_hd:         db 'Hard disk: ', 0
msg_hd_none:    db 'none attached.', 13, 10, 0
msg_hd_fail:    db 'read failed.', 13, 10, 0
msg_hd_foreign: db 'sectors 2-3 hold something else.', 13, 10, 0
msg_done:       db 'Demo finished: the machine halts now.', 13, 10, 0
        align   16
buffer:         times 1024 db 0
program_end:
